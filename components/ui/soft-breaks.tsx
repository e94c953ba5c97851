import { Fragment } from 'react'

/**
 * An identifier such as STATUS_CHANGED with a place to break the line after each underscore, for
 * a narrow column on a phone (the cell decides with whitespace-nowrap whether it may break).
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
