/** A validation problem tied to one input field, so a form can show it next to that field. */
export interface FieldError {
  /** Dotted path into the input, e.g. `takeProfits.0.price`. */
  field: string
  message: string
}
