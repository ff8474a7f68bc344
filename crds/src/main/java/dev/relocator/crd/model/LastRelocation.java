package dev.relocator.crd.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/** The most recent relocation: from which node to which, when, and how long the workload was down. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LastRelocation(String from, String to, Instant started, Instant finished, Double downtimeSeconds) {
}
