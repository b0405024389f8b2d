// The unit tier has no database: a test that needs one must fail here, not find one by chance.
delete process.env.MONGODB_URI;
