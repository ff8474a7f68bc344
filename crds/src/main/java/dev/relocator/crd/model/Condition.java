package dev.relocator.crd.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.Objects;

/** A status condition in the Kubernetes shape; {@code reason} is CamelCase. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Condition(Type type, State status, String reason, String message, Long observedGeneration,
                        Instant lastTransitionTime) {

    public Condition {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(lastTransitionTime, "lastTransitionTime");
    }

    public enum Type {
        Ready, Relocating, Degraded
    }

    public enum State {
        @JsonProperty("True") TRUE,
        @JsonProperty("False") FALSE,
        @JsonProperty("Unknown") UNKNOWN
    }
}
