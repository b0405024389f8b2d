/**
 * What a document selects, walked once per document and remembered with it: the
 * document analysis (src/server/documentAnalysis.ts) walks each document it parses and
 * validates, and everything after it reads the result here, by the document's own nodes
 * (which Apollo Server receives from that analysis, not from a parse of its own):
 *
 * - `fieldNames`: every field name selected anywhere (the projection reads no stored
 *   field the operation does not select);
 * - `rootFieldNames(operation)`: the root fields of an operation, through fragments (the
 *   treaty guard and the audit: which operations need a treaty context or read records);
 * - `childFieldNames(field)`: the fields selected directly under a field, through
 *   fragments (a page counts its total only when `totalCount` is selected), found on
 *   first ask and remembered with the field's selection set.
 *
 * A document no analysis has seen (an operation executed against the schema directly,
 * as the schema-level tests do) is walked on first use, and remembered the same way.
 */
import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

export interface SelectionAnalysis {
  /** Every field name selected anywhere in the document (all operations and fragments). */
  readonly fieldNames: ReadonlySet<string>;
  /** The root fields of `operation` (an unknown fragment counts as `...Name`). */
  rootFieldNames(operation: OperationDefinitionNode): readonly string[];
}

type Fragments = ReadonlyMap<string, FragmentDefinitionNode> | Readonly<Record<string, FragmentDefinitionNode>>;

const analyses = new WeakMap<DocumentNode, SelectionAnalysis>();
const childrenOf = new WeakMap<SelectionSetNode, ReadonlySet<string>>();

/** The selection analysis of `document`, walked once and remembered for as long as the document lives. */
export function analyseSelection(document: DocumentNode): SelectionAnalysis {
  let analysis = analyses.get(document);
  if (!analysis) {
    analysis = walk(document);
    analyses.set(document, analysis);
  }
  return analysis;
}

/** The field names selected directly under `field`, through inline fragments and fragment spreads. */
export function childFieldNames(field: FieldNode, fragments: Fragments): ReadonlySet<string> {
  return field.selectionSet ? directFieldsOf(field.selectionSet, fragmentLookup(fragments)) : new Set();
}

function walk(document: DocumentNode): SelectionAnalysis {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const lookup = fragmentLookup(fragments);
  const fieldNames = new Set<string>();
  const visit = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fieldNames.add(selection.name.value);
      if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) visit(selection.selectionSet);
    }
  };
  const roots = new Map<OperationDefinitionNode, readonly string[]>();
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) {
      visit(def.selectionSet);
      roots.set(def, Object.freeze([...directFieldsOf(def.selectionSet, lookup, true)]));
    } else if (def.kind === Kind.FRAGMENT_DEFINITION) visit(def.selectionSet);
  }
  return Object.freeze({
    fieldNames,
    rootFieldNames: (operation: OperationDefinitionNode) => roots.get(operation) ?? [...directFieldsOf(operation.selectionSet, lookup, true)],
  });
}

const fragmentLookup = (fragments: Fragments) => (name: string): FragmentDefinitionNode | undefined =>
  fragments instanceof Map ? fragments.get(name) : (fragments as Readonly<Record<string, FragmentDefinitionNode>>)[name];

/**
 * The names of the fields selected directly in `set`, through inline fragments and
 * spreads (each fragment once). With `markUnknown`, a spread of an unknown fragment is
 * listed as `...Name` (it fails validation before any use; treated as needing the most).
 */
function directFieldsOf(set: SelectionSetNode, fragment: (name: string) => FragmentDefinitionNode | undefined, markUnknown = false): ReadonlySet<string> {
  const known = markUnknown ? undefined : childrenOf.get(set);
  if (known) return known;
  const names = new Set<string>();
  const seen = new Set<string>();
  const collect = (current: SelectionSetNode): void => {
    for (const selection of current.selections) {
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const definition = fragment(selection.name.value);
        if (definition) collect(definition.selectionSet);
        else if (markUnknown) names.add(`...${selection.name.value}`);
      }
    }
  };
  collect(set);
  if (!markUnknown) childrenOf.set(set, names);
  return names;
}
