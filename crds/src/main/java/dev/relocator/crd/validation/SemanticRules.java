package dev.relocator.crd.validation;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** The rules of one kind that its schema cannot express, applied to the defaulted resource. */
@FunctionalInterface
public interface SemanticRules {

    List<FieldError> check(JsonNode defaulted);
}
