/**
 * The disclosure ledger of one request: what was decided, for whom, and what went out,
 * for the privacy report (`extensions.privacy`: counts by coordinate and outcome, compact
 * however long the lists) and the audit event (subjects, what each received, statistics
 * tables, changes made by a mutation).
 *
 * Membership is a disclosure (contract section 5): a record returned by a read selected
 * by a filter discloses the filtered fields of that record, selected or not, and a record
 * returned at all discloses that it exists (its pseudonym and holder). Reads note the
 * records they return (`noteRecords`); each becomes a subject of the audit event, and
 * each filtered coordinate counts as DISCLOSED once per record (not twice where the
 * value itself is disclosed for the same record too).
 */
import type { AuditFacts, SubjectChange } from '../audit/chain';
import type { Decision } from '../policy/decide';

export interface PrivacyReportEntry {
  readonly coordinate: string;
  /**
   * Per record: DISCLOSED, MINIMISED, REDACTED. Statistics: AGGREGATED (a field counted
   * by, `count` = cells of the table) and SUPPRESSED (`Query.statistics`: withheld cells;
   * `Statistics.total`: the withheld total).
   */
  readonly action: 'DISCLOSED' | 'MINIMISED' | 'REDACTED' | 'AGGREGATED' | 'SUPPRESSED';
  readonly reason?: string;
  readonly strategy?: string;
  readonly count: number;
}

/** What one statistics table released: the fields counted by, and what was withheld. */
export interface AggregateRelease {
  readonly groupBy: readonly string[];
  /** Filter dimensions and their values (codes and bands, never personal values). */
  readonly filter: Readonly<Record<string, string>>;
  /** Coordinates of the fields the table counts by (dimensions and filters). */
  readonly coordinates: readonly string[];
  readonly cells: number;
  /** Cells withheld below the threshold, and to protect them. */
  readonly primary: number;
  readonly complementary: number;
  readonly totalWithheld: boolean;
}

export interface DisclosureLedger {
  /** Records one field's decision for a record (`owner`, its internal id; null for no record). */
  record(coordinate: string, decision: Decision, owner: string | null): void;
  /** Whether a record's field was decided in this request. */
  readonly decided: boolean;
  /** The decisions made so far, sorted by coordinate. */
  report(): PrivacyReportEntry[];
  /** Internal ids of the records something was disclosed or minimised about, or changed (for the audit trail). */
  disclosedSubjects(): string[];
  /** Notes records a mutation concerns, for the audit trail. */
  noteSubjects(ids: Iterable<string>): void;
  /**
   * Notes the records (internal ids) a read returns, and the coordinates of the fields its
   * filter selected them by: each record is a subject of the audit event (its existence is
   * disclosed), and each coordinate is DISCLOSED for it. The row scope's own selection
   * (NATIONALS_OF_PARTIES: by nationality) is added here. Call it for every read that
   * returns records, even when it returns none.
   */
  noteRecords(ids: readonly string[], filterCoordinates?: readonly string[]): void;
  /** Whether a read of records ran in this request (it is audited whatever it selected). */
  readonly readRecords: boolean;
  /** Notes a statistics table released in this request (report entries, and the audit trail). */
  noteAggregate(release: AggregateRelease): void;
  /** The statistics tables released in this request. */
  aggregates(): readonly AggregateRelease[];
  /** Notes a record a mutation changed (audited with the coordinates changed, never the values). */
  noteChange(change: SubjectChange): void;
  /** The records changed in this request. */
  changes(): readonly SubjectChange[];
  /**
   * The subjects that received fewer coordinates than `received` lists (grouped by the
   * coordinates they did receive), for the audit event: with it, what each subject's
   * recipient received is known per subject, not only per response.
   */
  partialSubjects(received: ReadonlySet<string>): NonNullable<AuditFacts['partialSubjects']>;
}

export interface LedgerOptions {
  /** Coordinates the row scope selects every record by (NATIONALS_OF_PARTIES: `Migrant.nationality`). */
  readonly scopeCoordinates: readonly string[];
  /**
   * Coordinates a filter or the row scope can select records by. For these the ledger
   * remembers which records' values it disclosed, so a membership disclosure is not
   * counted a second time for them; any other coordinate noted as membership is counted
   * in full (over-reported, never under-reported).
   */
  readonly membershipCoordinates: Iterable<string>;
}

export function createDisclosureLedger(options: LedgerOptions): DisclosureLedger {
  // Decisions come from a small fixed set of objects per request: count by identity,
  // so the hot path builds no strings.
  const counts = new Map<string, Map<Decision, number>>();
  let decided = false;
  const subjects = new Set<string>();
  const released: AggregateRelease[] = [];
  /** Per membership coordinate: the records whose value of it was disclosed (to count membership once). */
  const valueDisclosed = new Map<string, Set<string>>([...options.membershipCoordinates].map((c) => [c, new Set<string>()]));
  /** Per coordinate: the records a read returned selected by it (a filter or the row scope). */
  const members = new Map<string, Set<string>>();
  let readRecords = false;
  /** Per subject: the coordinates disclosed or minimised about it (for notices to recipients). */
  const receivedBy = new Map<string, Set<string>>();
  const changed: SubjectChange[] = [];

  return {
    record(coordinate, decision, owner) {
      decided = true;
      if (owner !== null && decision.action !== 'REDACT') {
        subjects.add(owner);
        let received = receivedBy.get(owner);
        if (!received) receivedBy.set(owner, (received = new Set()));
        received.add(coordinate);
        if (decision.action === 'DISCLOSE') valueDisclosed.get(coordinate)?.add(owner);
      }
      let byDecision = counts.get(coordinate);
      if (!byDecision) counts.set(coordinate, (byDecision = new Map()));
      byDecision.set(decision, (byDecision.get(decision) ?? 0) + 1);
    },
    get decided() {
      return decided;
    },
    report: () => [...reportOf(counts, membershipCounts(members, valueDisclosed)), ...aggregateReportOf(released)],
    disclosedSubjects: () => [...subjects].sort(),
    noteSubjects(ids) {
      for (const id of ids) subjects.add(id);
    },
    get readRecords() {
      return readRecords;
    },
    noteRecords(ids, filterCoordinates = []) {
      readRecords = true;
      for (const id of ids) subjects.add(id);
      if (ids.length === 0) return;
      for (const coordinate of new Set([...options.scopeCoordinates, ...filterCoordinates])) {
        let owners = members.get(coordinate);
        if (!owners) members.set(coordinate, (owners = new Set()));
        for (const id of ids) owners.add(id);
      }
    },
    noteAggregate(release) {
      decided = true;
      released.push(release);
    },
    aggregates: () => [...released],
    noteChange(change) {
      subjects.add(change.subjectId);
      changed.push({ ...change, coordinates: [...new Set(change.coordinates)].sort() });
    },
    changes: () => [...changed],
    partialSubjects: (received) => partialSubjectsOf(subjects, receivedBy, members, received),
  };
}

/** DISCLOSED entries for membership: per coordinate, the records selected by it whose value was not disclosed anyway. */
function membershipCounts(members: ReadonlyMap<string, ReadonlySet<string>>, valueDisclosed: ReadonlyMap<string, ReadonlySet<string>>): Map<string, number> {
  const extra = new Map<string, number>();
  for (const [coordinate, owners] of members) {
    const disclosed = valueDisclosed.get(coordinate);
    let count = 0;
    for (const owner of owners) if (!disclosed?.has(owner)) count++;
    if (count > 0) extra.set(coordinate, count);
  }
  return extra;
}

/** The subjects that received fewer coordinates than `received`, grouped by what they did receive. */
function partialSubjectsOf(
  subjects: ReadonlySet<string>,
  receivedBy: ReadonlyMap<string, ReadonlySet<string>>,
  members: ReadonlyMap<string, ReadonlySet<string>>,
  received: ReadonlySet<string>,
): { subjectIds: string[]; coordinates: string[] }[] {
  const groups = new Map<string, { subjectIds: string[]; coordinates: string[] }>();
  for (const subject of subjects) {
    const own = new Set(receivedBy.get(subject));
    for (const [coordinate, owners] of members) if (owners.has(subject)) own.add(coordinate);
    const coordinates = [...own].filter((c) => received.has(c)).sort();
    if (coordinates.length === received.size) continue;
    const key = coordinates.join('|');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { subjectIds: [], coordinates }));
    group.subjectIds.push(subject);
  }
  return [...groups.values()].map((g) => ({ subjectIds: g.subjectIds.sort(), coordinates: g.coordinates }));
}

/** Report entries of the statistics tables of a request, merged by coordinate and outcome. */
function aggregateReportOf(releases: readonly AggregateRelease[]): PrivacyReportEntry[] {
  const entries = new Map<string, PrivacyReportEntry>();
  const add = (entry: PrivacyReportEntry): void => {
    if (entry.count === 0) return;
    const key = `${entry.coordinate}|${entry.action}|${entry.reason ?? ''}`;
    const found = entries.get(key);
    entries.set(key, found ? { ...found, count: found.count + entry.count } : entry);
  };
  for (const release of releases) {
    for (const coordinate of release.coordinates) add({ coordinate, action: 'AGGREGATED', count: release.cells });
    add({ coordinate: 'Query.statistics', action: 'SUPPRESSED', reason: 'BELOW_MIN_CELL_SIZE', count: release.primary });
    add({ coordinate: 'Query.statistics', action: 'SUPPRESSED', reason: 'COMPLEMENTARY_SUPPRESSION', count: release.complementary });
    if (release.totalWithheld) add({ coordinate: 'Statistics.total', action: 'SUPPRESSED', reason: 'BELOW_MIN_CELL_SIZE', count: 1 });
  }
  return [...entries.values()].sort((a, b) => a.coordinate.localeCompare(b.coordinate) || a.action.localeCompare(b.action));
}

/**
 * One entry per coordinate and outcome, sorted; outcomes that are equal in value are
 * merged. `membership`: DISCLOSED values by coordinate that records disclosed by being
 * selected by a filter (added to the coordinate's DISCLOSED entry).
 */
function reportOf(counts: ReadonlyMap<string, ReadonlyMap<Decision, number>>, membership: ReadonlyMap<string, number>): PrivacyReportEntry[] {
  const merged = new Map<string, PrivacyReportEntry>();
  for (const [coordinate, count] of membership) merged.set(`${coordinate}|DISCLOSED|`, { coordinate, action: 'DISCLOSED', count });
  for (const [coordinate, byDecision] of counts) {
    for (const [decision, count] of byDecision) {
      const entry: PrivacyReportEntry =
        decision.action === 'DISCLOSE'
          ? { coordinate, action: 'DISCLOSED', count }
          : decision.action === 'MINIMISE'
            ? { coordinate, action: 'MINIMISED', strategy: decision.strategy, count }
            : { coordinate, action: 'REDACTED', reason: decision.reason, count };
      const key = `${coordinate}|${entry.action}|${entry.reason ?? entry.strategy ?? ''}`;
      const found = merged.get(key);
      merged.set(key, found ? { ...found, count: found.count + count } : entry);
    }
  }
  return [...merged.values()].sort((a, b) => a.coordinate.localeCompare(b.coordinate) || a.action.localeCompare(b.action));
}
