/**
 * What each Autopilot import error means and what to do about it, in plain words for the card. Codes and
 * names from the Graph reference sheet (801-814 from Microsoft's draft table; 806 and 808 confirmed).
 */
export interface ImportErrorInfo {
  code: string;
  name: string;
  advice: string;
  retryable: boolean;
  /** 806: the device is in this tenant already; look it up instead of failing. */
  alreadyRegistered?: boolean;
}

const CATALOG: readonly ImportErrorInfo[] = [
  {
    code: '801',
    name: 'InvalidZtdRequestBody',
    advice: 'The upload was malformed. Submit the device again; if it repeats, report it as a bug.',
    retryable: false,
  },
  {
    code: '802',
    name: 'InvalidZtdHardwareHash',
    advice: 'The hardware hash is not valid. Collect the hash again on the device and resubmit.',
    retryable: false,
  },
  {
    code: '803',
    name: 'MissingZtdSerialNumberAndProductKey',
    advice: 'Neither a serial number nor a product key was sent. Resubmit with the serial number.',
    retryable: false,
  },
  {
    code: '806',
    name: 'ZtdDeviceAlreadyAssigned',
    advice: 'The device is already registered in this tenant.',
    retryable: false,
    alreadyRegistered: true,
  },
  {
    code: '807',
    name: 'ZtdDeviceIsNotRegistered',
    advice: 'The device is not registered in this tenant.',
    retryable: false,
  },
  {
    code: '808',
    name: 'ZtdDeviceAssignedToOtherTenant',
    advice:
      'The device is registered to another organisation. Its previous owner must deregister it, or Microsoft support must release it, before it can be imported here.',
    retryable: false,
  },
  {
    code: '812',
    name: 'ZtdDeviceNotFound',
    advice: 'No device matches this hash. Collect the hash again on the device.',
    retryable: false,
  },
  {
    code: '813',
    name: 'ZtdDeviceIsNotUnique',
    advice:
      'The hash matches more than one device. Collect the hash again; contact Microsoft support if it repeats.',
    retryable: false,
  },
  {
    code: '814',
    name: 'ZtdDeviceAlreadyAadRegistered',
    advice:
      'An Entra device object already exists for this device. Delete the stale Entra device, then retry.',
    retryable: false,
  },
  {
    code: 'ZtdDeviceDuplicated',
    name: 'ZtdDeviceDuplicated',
    advice:
      'The same hash was uploaded twice at once and only one copy was processed. Check for a duplicate request.',
    retryable: false,
  },
  {
    code: 'StorageError',
    name: 'StorageError',
    advice:
      'A transient error in the Autopilot service. It is retried automatically; an approver can retry again later.',
    retryable: true,
  },
];

/** Microsoft's docs spell 808 both ways; Intune may answer either. */
const ALIASES: Record<string, string> = {
  ztddeviceassignedtoanothertenant: 'ZtdDeviceAssignedToOtherTenant',
};

/** Looks an error up by the code or the name Graph reported; unknown errors are treated as permanent. */
export function describeImportError(code: number | string, name: string): ImportErrorInfo {
  const byName = CATALOG.find(
    (e) => e.name.toLowerCase() === (ALIASES[name.toLowerCase()] ?? name).toLowerCase(),
  );
  const byCode = CATALOG.find((e) => e.code === String(code));
  return (
    byName ??
    byCode ?? {
      code: String(code || name || 'unknown'),
      name: name || 'UnknownImportError',
      advice:
        'The import failed with an error this service does not know. Check the device in Intune and contact support.',
      retryable: false,
    }
  );
}
