package dev.relocator.crd.schema;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A CustomResourceDefinition (apiextensions.k8s.io/v1) as far as validation needs it: group,
 * names, scope, and the compiled schema of each version.
 */
public final class CustomResourceDefinition {

    private final String name;
    private final String group;
    private final String kind;
    private final String listKind;
    private final String plural;
    private final String scope;
    private final Map<String, SchemaNode> schemas;
    private final boolean statusSubresource;

    private CustomResourceDefinition(JsonNode crd) {
        require("apiextensions.k8s.io/v1".equals(crd.path("apiVersion").asText()), "apiVersion must be apiextensions.k8s.io/v1");
        require("CustomResourceDefinition".equals(crd.path("kind").asText()), "kind must be CustomResourceDefinition");
        JsonNode spec = crd.path("spec");
        this.group = spec.path("group").asText();
        this.kind = spec.path("names").path("kind").asText();
        this.listKind = spec.path("names").path("listKind").asText(kind + "List");
        this.plural = spec.path("names").path("plural").asText();
        this.scope = spec.path("scope").asText();
        this.name = crd.path("metadata").path("name").asText();
        require(name.equals(plural + "." + group), "metadata.name must be <plural>.<group>");
        require(scope.equals("Cluster") || scope.equals("Namespaced"), "scope must be Cluster or Namespaced");
        Map<String, SchemaNode> s = new LinkedHashMap<>();
        boolean status = false;
        for (JsonNode v : spec.path("versions")) {
            JsonNode schema = v.path("schema").path("openAPIV3Schema");
            require(schema.isObject(), "version " + v.path("name").asText() + " has no openAPIV3Schema");
            s.put(v.path("name").asText(), SchemaNode.compile(schema));
            status |= v.path("subresources").has("status");
        }
        require(!s.isEmpty(), "no versions");
        this.schemas = Map.copyOf(s);
        this.statusSubresource = status;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new InvalidSchemaException("CustomResourceDefinition: " + what);
        }
    }

    public static CustomResourceDefinition of(JsonNode crd) {
        return new CustomResourceDefinition(Objects.requireNonNull(crd, "crd"));
    }

    public String name() { return name; }
    public String group() { return group; }
    public String kind() { return kind; }
    public String listKind() { return listKind; }
    public String plural() { return plural; }
    public String scope() { return scope; }
    public boolean namespaced() { return "Namespaced".equals(scope); }
    public boolean statusSubresource() { return statusSubresource; }
    public Map<String, SchemaNode> versions() { return schemas; }

    /** The compiled schema of {@code version}, if the CRD serves it. */
    public Optional<SchemaNode> schema(String version) {
        return Optional.ofNullable(schemas.get(version));
    }

    public String apiVersion(String version) {
        return group + "/" + version;
    }
}
