/**
 * The shipped nodes.conf (etc/warewulf/nodes.conf; a test keeps the two
 * equal). A root without a nodes.conf starts from it, so a fresh cluster
 * has its `default` profile before the first `node add`.
 */
export const DEFAULT_NODES_CONF = `nodeprofiles:
  default:
    comment: This profile is automatically included for each node
    ipxe template: default
    runtime overlay:
      - hosts
      - ssh.authorized_keys
    system overlay:
      - wwinit
      - wwclient
      - hosts
      - fstab
      - hostname
      - ssh.host_keys
      - issue
      - resolv
      - udev.netname
      - systemd.netname
      - ifcfg
      - ifupdown
      - NetworkManager
    kernel:
      args:
        - quiet
        - crashkernel=no
        - net.ifnames=1
    ipmi:
      template: ipmitool.tmpl
    init: /sbin/init
    root: initramfs
    resources:
      fstab:
        - spec: warewulf:/home
          file: /home
          vfstype: nfs
          mntops: defaults,nofail
        - spec: warewulf:/opt
          file: /opt
          vfstype: nfs
          mntops: defaults,noauto,nofail,ro
nodes: {}
`;
