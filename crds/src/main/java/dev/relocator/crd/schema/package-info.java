/**
 * A CRD-agnostic implementation of the Kubernetes structural schema: {@link
 * dev.relocator.crd.schema.SchemaNode} compiles an {@code openAPIV3Schema} and refuses any
 * keyword it does not enforce, {@link dev.relocator.crd.schema.Defaulter} applies
 * {@code default}s as the API server does, and {@link dev.relocator.crd.schema.SchemaValidator}
 * collects every violation with strict unknown-field semantics.
 *
 * <p>Why not translate to JSON Schema and use a library at run time: a structural schema is
 * not quite JSON Schema ({@code nullable}, {@code x-kubernetes-list-type: map}, pruning
 * instead of {@code additionalProperties: false}), and the errors here must name the field,
 * the problem and the fix in Kubernetes' notation. The tests still run an independent JSON
 * Schema implementation (networknt) over a translation of the same schema and require both to
 * agree.
 */
package dev.relocator.crd.schema;
