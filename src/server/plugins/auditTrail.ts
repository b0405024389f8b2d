/**
 * The audit events of one request (src/server/plugins/privacyReport.ts runs them): the
 * ATTEMPTED event of a mutation before it runs, and the event of what the response
 * disclosed, minimised, counted or changed before it is sent. Never a personal value.
 */
import { createHash } from 'node:crypto';
import type { AuditFacts } from '../../audit/chain';
import type { AggregateRelease, DisclosureLedger, PrivacyReportEntry } from '../../context/disclosureLedger';
import type { GatewayContext } from '../../context/GatewayContext';
import type { TreatyContext } from '../../context/treatyContext';
import type { AuditWriter } from '../../data/auditStore';

type BaseFacts = Pick<AuditFacts, 'at' | 'sub' | 'agency' | 'party' | 'agreementId' | 'purpose' | 'operationName' | 'documentHash'>;

/** What one request's events share and how they are written. */
export class RequestAudit {
  private attemptId: string | null = null;
  /** Who did what under which context: the part every event of this request shares (computed once). */
  private base: BaseFacts | null = null;

  constructor(private readonly writer: AuditWriter) {}

  /** Appends the ATTEMPTED event of a mutation; rejects when it cannot be written (then the mutation must not run). */
  async attempt(context: GatewayContext, treaty: TreatyContext, operationName: string | null, source: string | undefined): Promise<void> {
    this.attemptId = await this.writer.append({
      ...this.baseFacts(context, treaty, operationName, source),
      subjectIds: [],
      coordinates: { DISCLOSED: [], MINIMISED: [], REDACTED: [] },
      outcome: 'ATTEMPTED',
    });
  }

  /** Whether the response has something to audit: a mutation, a read of records, a table, or a value disclosed or minimised. */
  static needed(ledger: DisclosureLedger, fields: readonly PrivacyReportEntry[], mutation: boolean): boolean {
    return mutation || ledger.readRecords || ledger.aggregates().length > 0 || fields.some((f) => f.action !== 'REDACTED');
  }

  /** Appends the event of the response; resolves to its id, rejects when it cannot be written. */
  async outcome(
    context: GatewayContext,
    treaty: TreatyContext,
    ledger: DisclosureLedger,
    fields: readonly PrivacyReportEntry[],
    facts: { operationName: string | null; source: string | undefined; mutation: boolean; failed: boolean },
  ): Promise<string> {
    const coordinates = coordinatesByAction(fields);
    const partialSubjects = ledger.partialSubjects(new Set([...coordinates.DISCLOSED, ...coordinates.MINIMISED]));
    const changes = ledger.changes();
    return this.writer.append({
      ...this.baseFacts(context, treaty, facts.operationName, facts.source),
      subjectIds: ledger.disclosedSubjects(),
      coordinates,
      ...(partialSubjects.length > 0 ? { partialSubjects } : {}),
      ...(changes.length > 0 ? { changes } : {}),
      ...aggregatesOf(ledger.aggregates()),
      outcome: !facts.mutation ? 'DISCLOSED' : facts.failed ? 'REFUSED' : 'MUTATED',
      ...(facts.mutation && this.attemptId !== null ? { attemptId: this.attemptId } : {}),
    });
  }

  private baseFacts({ caller, now }: GatewayContext, treaty: TreatyContext, operationName: string | null, source: string | undefined): BaseFacts {
    return (this.base ??= {
      at: now,
      sub: caller.sub,
      agency: caller.agency,
      party: caller.party,
      agreementId: treaty.agreement._id,
      purpose: treaty.purpose,
      operationName,
      documentHash: createHash('sha256').update(source ?? '').digest('hex'),
    });
  }
}

function coordinatesByAction(fields: readonly PrivacyReportEntry[]): AuditFacts['coordinates'] {
  const of = (action: PrivacyReportEntry['action']) => [...new Set(fields.filter((f) => f.action === action).map((f) => f.coordinate))];
  const aggregated = of('AGGREGATED');
  return {
    DISCLOSED: of('DISCLOSED'),
    MINIMISED: of('MINIMISED'),
    REDACTED: of('REDACTED'),
    ...(aggregated.length > 0 ? { AGGREGATED: aggregated } : {}),
  };
}

/** The statistics tables of a response, for its audit event (absent when there are none). */
function aggregatesOf(releases: readonly AggregateRelease[]): Pick<AuditFacts, 'aggregates'> {
  if (releases.length === 0) return {};
  return {
    aggregates: releases.map((r) => ({
      groupBy: [...r.groupBy],
      filter: { ...r.filter },
      cells: r.cells,
      suppressedCells: r.primary + r.complementary,
      totalWithheld: r.totalWithheld,
    })),
  };
}
