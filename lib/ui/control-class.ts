/**
 * The classes of a form control: the shared look, the caller's classes, and the full width of its
 * field unless the caller gives a width of its own. Both classes on one element would not do:
 * which of `w-full` and `w-28` wins is decided by their order in the stylesheet, not in the
 * attribute, and there `w-full` comes last.
 */
export function controlClassName(base: string, caller?: string): string {
  const own = (caller ?? '').split(/\s+/).filter(Boolean)
  // A width for every screen size (w-28, w-[7rem], !w-40); a width under a variant (sm:w-40)
  // applies from there on only, so the field is still full width below it.
  const setsWidth = own.some((c) => /^!?w-/.test(c))
  return [base, setsWidth ? null : 'w-full', ...own].filter(Boolean).join(' ')
}
