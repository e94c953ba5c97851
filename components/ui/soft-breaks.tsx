import { Fragment } from 'react'

/**
 * An identifier such as STATUS_CHANGED with a place to break the line after each underscore, so a
 * narrow column can wrap it rather than widen its table (whitespace-nowrap still keeps it whole).
 */
export function SoftBreaks({ text }: { text: string }) {
  return text.split('_').map((part, i) => (
    <Fragment key={i}>
      {i > 0 ? (
        <>
          _<wbr />
        </>
      ) : null}
      {part}
    </Fragment>
  ))
}
