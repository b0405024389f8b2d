/** What an operation selects, read from its document (fragments included). */
import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

/** Every field name selected anywhere in `document` (all operations and fragments). */
export function selectedFieldNames(document: DocumentNode): Set<string> {
  const names = new Set<string>();
  const visit = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) visit(selection.selectionSet);
    }
  };
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION || def.kind === Kind.FRAGMENT_DEFINITION) visit(def.selectionSet);
  }
  return names;
}

/** Whether the selection set (with the document's fragments) selects a direct field `name`. */
export function selectsField(
  set: SelectionSetNode | undefined,
  name: string,
  fragments: Record<string, FragmentDefinitionNode>,
  seen: Set<string> = new Set(),
): boolean {
  if (!set) return false;
  return set.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === name;
    if (selection.kind === Kind.INLINE_FRAGMENT) return selectsField(selection.selectionSet, name, fragments, seen);
    if (seen.has(selection.name.value)) return false;
    seen.add(selection.name.value);
    return selectsField(fragments[selection.name.value]?.selectionSet, name, fragments, seen);
  });
}
