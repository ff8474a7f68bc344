/**
 * The REST API ({@code /apis/relocator.dev/v1alpha1}) with Kubernetes conventions.
 *
 * <p>{@link dev.relocator.api.ApiRoutes} runs first, as Vert.x routes: body size from
 * Content-Length (before any byte is read), the bearer token for every mutation, and the watch,
 * which needs the raw response for server-sent events. {@link dev.relocator.api.ResourcesApi}
 * serves the verbs; every refusal is a {@code StoreException} carrying the Kubernetes
 * {@code Status}, and {@link dev.relocator.api.ErrorMappers} turns framework failures (unknown
 * path, wrong method, media type) into Status objects too. Status is never written over HTTP: the
 * controller writes it in process through the store. docs/api.md is the reference.
 */
package dev.relocator.api;
