/** All resolvers, by GraphQL type. */
import type { Resolvers } from '../generated/resolvers-types';
import { Agreement, Grant, Party } from './Agreement';
import { Consent } from './Consent';
import { DataRequest } from './DataRequest';
import { Disclosure } from './Disclosure';
import { Mutation } from './Mutation';
import { Migrant, TravelDocument, VictimStatus } from './Migrant';
import { acknowledgeNotice, notices } from './notices';
import { Query } from './Query';
import { DateTime, PartialDate } from './scalars';

export const resolvers: Resolvers = {
  Query: { ...Query, notices },
  Mutation: { ...Mutation, acknowledgeNotice },
  Consent,
  Disclosure,
  Migrant,
  TravelDocument,
  VictimStatus,
  Agreement,
  Grant,
  Party,
  DataRequest,
  PartialDate,
  DateTime,
};
