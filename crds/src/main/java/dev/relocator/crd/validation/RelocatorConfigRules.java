package dev.relocator.crd.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.relocator.crd.model.RelocatorConfig;
import dev.relocator.crd.validation.FieldError.Type;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Rules of RelocatorConfig beyond its schema. */
final class RelocatorConfigRules {

    private RelocatorConfigRules() {
    }

    static List<FieldError> check(JsonNode config) {
        List<FieldError> out = new ArrayList<>();
        JsonNode name = config.path("metadata").path("name");
        if (name.isTextual() && !name.textValue().equals(RelocatorConfig.NAME)) {
            out.add(new FieldError("metadata.name", Type.INVALID, "RelocatorConfig is a singleton, got \""
                    + name.textValue() + "\"", "name it " + RelocatorConfig.NAME));
        }
        JsonNode hooks = config.path("spec").path("fenceHooks");
        Map<JsonNode, Integer> selectors = new HashMap<>();
        for (int i = 0; i < hooks.size(); i++) {
            JsonNode h = hooks.get(i);
            String base = FieldPath.index("spec.fenceHooks", i);
            SemanticValidator.checkExternalFence(h, base, out);
            JsonNode labels = h.path("nodeLabels");
            JsonNode key = labels.isMissingNode() ? JsonNodeFactory.instance.objectNode() : labels;
            Integer earlier = selectors.putIfAbsent(key, i);
            if (earlier != null) {
                out.add(new FieldError(FieldPath.child(base, "nodeLabels"), Type.DUPLICATE,
                        "selects the same nodes as spec.fenceHooks[" + earlier + "], which always wins",
                        "give the hooks different nodeLabels or remove one"));
            }
        }
        return out;
    }
}
