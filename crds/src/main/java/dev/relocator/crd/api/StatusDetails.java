package dev.relocator.crd.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** {@code Status.details}: which object the failure is about, and why, field by field. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record StatusDetails(String name, String group, String kind, List<StatusCause> causes) {

    public StatusDetails {
        causes = causes == null ? List.of() : List.copyOf(causes);
    }
}
