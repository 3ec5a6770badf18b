/**
 * The field table compiled into a tree over YAML keys, so that reading a
 * node is one walk over its own keys instead of one walk per field. Both the
 * validator and the flattener use it; on 10,000 nodes this is what keeps
 * `node list` inside its half-second budget.
 */
import { FIELDS, type FieldSpec } from './fields.js';
import { keyKindUnder, type NameKind } from './names.js';

export interface FieldTreeNode {
  /** Set on leaves. */
  readonly spec?: FieldSpec;
  /** Fixed keys below this node. */
  readonly children: Map<string, FieldTreeNode>;
  /** The node below a `*` (map key) level, if this level is a map. */
  wildcard?: FieldTreeNode;
  /** What the keys of that map name (`network devices` -> network): checked by the name rules. */
  wildcardKind?: NameKind;
}

function newNode(spec?: FieldSpec): FieldTreeNode {
  return spec ? { spec, children: new Map() } : { children: new Map() };
}

function build(): FieldTreeNode {
  const root = newNode();
  for (const spec of FIELDS) {
    let t = root;
    spec.yaml.forEach((k, i) => {
      const leaf = i === spec.yaml.length - 1;
      if (k === '*') {
        t.wildcard ??= newNode(leaf ? spec : undefined);
        t.wildcardKind ??= keyKindUnder(spec.yaml[i - 1] ?? '');
        t = t.wildcard;
      } else {
        let next = t.children.get(k);
        if (!next) {
          next = newNode(leaf ? spec : undefined);
          t.children.set(k, next);
        }
        t = next;
      }
    });
  }
  return root;
}

export const FIELD_TREE: FieldTreeNode = build();
