/**
 * Validation of Relocator resources: {@link dev.relocator.crd.validation.ResourceValidator}
 * runs identity, size, defaulting, schema, metadata and semantic checks and collects every
 * {@link dev.relocator.crd.validation.FieldError}; a semantic error on a field the schema
 * already rejected is dropped. All classes are immutable and safe to share between threads.
 */
package dev.relocator.crd.validation;
