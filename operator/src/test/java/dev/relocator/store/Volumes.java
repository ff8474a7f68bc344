package dev.relocator.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.Resources;
import dev.relocator.crd.validation.ResourceValidator;
import dev.relocator.crd.validation.ValidationOptions;

import java.util.function.Consumer;

/** Valid, defaulted RelocatableVolume trees for store and API tests, changed in one place per test. */
public final class Volumes {

    private static final ResourceValidator VALIDATOR = ResourceValidator.relocatableVolumes(ValidationOptions.defaults());

    private Volumes() {
    }

    public static String json(String name) {
        return """
                {"apiVersion":"relocator.dev/v1alpha1","kind":"RelocatableVolume","metadata":{"name":"%s"},
                 "spec":{"service":"shop_db","volume":{"name":"%s-data","driver":"local",
                   "options":{"type":"nfs","o":"addr=nas,rw","device":":/pg"}},
                   "target":"/var/lib/postgresql/data","ownership":{"uid":999,"gid":999,"mode":"0700"}}}
                """.formatted(name, name);
    }

    public static ObjectNode valid(String name) {
        return valid(name, o -> { });
    }

    public static ObjectNode valid(String name, Consumer<ObjectNode> change) {
        try {
            ObjectNode o = (ObjectNode) Resources.jsonMapper().readTree(json(name));
            change.accept(o);
            ResourceValidator.Result r = VALIDATOR.validate(o);
            if (!r.valid()) {
                throw new IllegalArgumentException("test fixture invalid: " + r.errors());
            }
            return r.defaulted();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A status as the controller writes it. */
    public static ObjectNode status(String phase, String node, long observedGeneration, String readyStatus, String reason,
                                    String lastTransitionTime) {
        ObjectNode s = Resources.jsonMapper().createObjectNode();
        s.put("phase", phase);
        if (node != null) {
            s.put("node", node);
            s.put("epoch", 1);
        }
        s.put("observedGeneration", observedGeneration);
        ObjectNode c = s.putArray("conditions").addObject();
        c.put("type", "Ready");
        c.put("status", readyStatus);
        c.put("reason", reason);
        c.put("lastTransitionTime", lastTransitionTime);
        return s;
    }
}
