/**
 * The shipped nodes.conf (etc/warewulf/nodes.conf; a test keeps the two
 * equal). A root without a nodes.conf starts from it, so a fresh cluster
 * has its `default` profile before the first `node add`.
 */
export const DEFAULT_NODES_CONF = `nodeprofiles:
  default:
    comment: This profile is automatically included for each node
nodes: {}
`;
