/** BMC commands: power, sensors, console (§1.8, §1.3), behind '@warewulf/core/bmc'. */
export { POWER_ACTIONS, POWER_CMD, type BmcCmd, type PowerAction } from './commands.js';
export { bmcTargets, loadBmcTargets, type BmcSelection, type BmcTarget, type IpmiSettings, type LoadBmcTargetsOptions } from './targets.js';
export { BmcTemplates, BmcTemplateData, SHIPPED_BMC_DIR, PASSWORD_MASK, type BmcInvocation } from './template.js';
export {
  runBmcBatch, bmcConsole, hasBmcAddress, DEFAULT_FANOUT, DEFAULT_BMC_TIMEOUT_MS, NO_BMC_ADDRESS,
  type BmcResult, type BmcRunOptions, type BmcConsoleOptions,
} from './run.js';
