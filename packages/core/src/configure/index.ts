/** `wwctl configure` (§1.9): plan and apply the head node's configuration. */
export { planConfigure, applyConfigure, planIsEmpty, type PlanOptions, type ProgressEvent } from './configure.js';
export {
  STEP_ORDER,
  type StepName,
  type StepOptions,
  type ConfigureContext,
  type ConfigurePlan,
  type ConfigureReport,
  type FileChange,
  type PlannedCommand,
  type StepPlan,
  type InvokingUser,
  type Owner,
} from './types.js';
export { detectServiceManager, planService, unitName, type ServiceManager, type ServicePlan } from './services.js';
export { setNetworkLines, planConfFile, type NetworkValues } from './network.js';
export { renderHostOverlay, slotHostPath, outputRoot, HOST_OVERLAY, type HostOverlayResult } from './host-overlay.js';
export { planTftpFiles, ipxeCandidates, DEBIAN_IPXE, DEBIAN_IPXE_DIR } from './tftp.js';
export { planSsh, checkKeyTypes } from './ssh.js';
export { planTls, certificateDetails, subjectAltNames, TLS_KEY, TLS_CERT, type TlsOptions } from './tls.js';
export { planChange, applyChange, unifiedDiff, type Desired } from './files.js';
export { resolveForWrite, realRoot, isInside } from './confine.js';
export { showCommand } from './exec.js';
