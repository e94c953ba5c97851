/** A size in whole megabytes (MiB, as df -m counts them), grouped: '1,024 MB'. */
export function formatMegabytes(bytes: number): string {
  return `${Math.floor(bytes / 2 ** 20).toLocaleString('en-US')} MB`
}
