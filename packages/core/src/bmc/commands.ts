/**
 * The BMC actions and the `.Cmd` names a BMC template sees for them (§1.8):
 * `wwctl power on` renders the node's template with `.Cmd` = `PowerOn`, and
 * so on; `node sensors` uses `SDRList` (`--full`: `SensorList`), `node
 * console` uses `Console`.
 */
export const POWER_ACTIONS = ['on', 'off', 'cycle', 'reset', 'soft', 'status'] as const;
export type PowerAction = (typeof POWER_ACTIONS)[number];

export type BmcCmd =
  | 'PowerOn'
  | 'PowerOff'
  | 'PowerCycle'
  | 'PowerReset'
  | 'PowerSoft'
  | 'PowerStatus'
  | 'SDRList'
  | 'SensorList'
  | 'Console';

export const POWER_CMD: Readonly<Record<PowerAction, BmcCmd>> = {
  on: 'PowerOn',
  off: 'PowerOff',
  cycle: 'PowerCycle',
  reset: 'PowerReset',
  soft: 'PowerSoft',
  status: 'PowerStatus',
};
