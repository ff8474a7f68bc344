package dev.relocator.crd.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Optional;

/**
 * Observed state of a {@link RelocatableVolume}, written only by the controller. This is the
 * resource's status; the API's error object is {@link dev.relocator.crd.api.Status}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Status(Phase phase, String node, Long epoch, Long observedGeneration, List<Condition> conditions,
                     LastRelocation lastRelocation) {

    public Status {
        conditions = Collections2.list(conditions);
    }

    public Optional<Condition> condition(Condition.Type type) {
        return conditions.stream().filter(c -> c.type() == type).findFirst();
    }

    public enum Phase {
        Pending, Attached, Fencing, Detaching, Attaching, Starting, Failed
    }
}
