package dev.relocator.crd.load;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.validation.FieldError;
import dev.relocator.crd.validation.FieldError.Type;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns bytes into JSON trees: YAML (one or more {@code ---} documents) or JSON (one or
 * more concatenated values), chosen by the first non-blank character.
 *
 * <p>YAML is composed with SnakeYAML and converted by hand rather than read through
 * jackson-dataformat-yaml, because Jackson's YAML parser does not expand aliases (it
 * returns the anchor's name as a string, silently changing the document), and SnakeYAML's
 * alias limit lives in the composer. Scalars are resolved with the YAML 1.2 core schema, as
 * Kubernetes tooling does: {@code yes}/{@code on} are strings, timestamps stay strings.
 * Aliases are expanded under a budget, duplicate keys and custom tags are rejected.
 */
public final class DocumentParser {

    private static final Pattern INT = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]+");
    private static final Pattern OCT = Pattern.compile("0o[0-7]+");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
    private static final Pattern INF_NAN = Pattern.compile("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
    private static final Pattern BOOL = Pattern.compile("true|True|TRUE|false|False|FALSE");
    private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
    private static final Set<Tag> PLAIN_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.MAP, Tag.SEQ);

    private final ParseLimits limits;
    private final ObjectMapper json;

    public DocumentParser(ParseLimits limits) {
        this.limits = limits;
        this.json = JsonMapper.builder()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .build();
        json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxDepth())
                .maxStringLength(limits.maxInputBytes())
                .maxNumberLength(64)
                .build());
    }

    /** Parses every document of the input; empty YAML documents are skipped. */
    public List<JsonNode> parse(byte[] input) throws ParseException {
        if (input.length > limits.maxInputBytes()) {
            throw new ParseException(new FieldError("", Type.TOO_LONG, "input is " + input.length
                    + " bytes, the limit is " + limits.maxInputBytes(),
                    "split it into smaller files or shrink large annotations"));
        }
        String text = decode(input);
        List<JsonNode> docs = looksLikeJson(text) ? parseJson(text) : parseYaml(text);
        if (docs.isEmpty()) {
            throw new ParseException(new FieldError("", Type.REQUIRED, "the input holds no document",
                    "write a RelocatableVolume in YAML or JSON"));
        }
        return docs;
    }

    /**
     * JSON when it opens like JSON: a brace followed by a quoted key or a closing brace. A YAML
     * flow mapping ({@code {apiVersion: ...}}) opens with a plain key and stays YAML, so it gets
     * YAML's scalar rules rather than a JSON syntax error.
     */
    static boolean looksLikeJson(String text) {
        String t = text.strip();
        if (t.isEmpty() || (t.charAt(0) != '{' && t.charAt(0) != '[')) {
            return false;
        }
        String rest = t.substring(1).stripLeading();
        if (rest.isEmpty()) {
            return true;
        }
        char c = rest.charAt(0);
        return t.charAt(0) == '{' ? c == '"' || c == '}' : c == '{' || c == '[' || c == '"' || c == ']' || c == '-'
                || Character.isDigit(c);
    }

    private static String decode(byte[] input) throws ParseException {
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(input)).toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (CharacterCodingException e) {
            throw new ParseException(new FieldError("", Type.INVALID, "input is not valid UTF-8",
                    "save the file as UTF-8 text"));
        }
    }

    private List<JsonNode> parseJson(String text) throws ParseException {
        List<JsonNode> docs = new ArrayList<>();
        try (JsonParser p = json.getFactory().createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
                    throw new ParseException(new FieldError("", Type.INVALID,
                            "invalid JSON at line " + p.currentTokenLocation().getLineNr() + ", column "
                                    + p.currentTokenLocation().getColumnNr() + ": a document must be an object, got "
                                    + (t.isNumeric() ? "a number" : t.isBoolean() ? "a boolean" : t == JsonToken.VALUE_NULL ? "null"
                                    : t == JsonToken.VALUE_STRING ? "a string" : t.asString()),
                            "write the resource as a JSON object {...}"));
                }
                docs.add(json.readTree(p));
            }
        } catch (StreamConstraintsException e) {
            throw new ParseException(new FieldError("", Type.TOO_MANY, "JSON exceeds a parser limit: "
                    + firstLine(e.getOriginalMessage()).replaceAll(", from `[^`]*`", ""),
                    "flatten the document and keep values small"));
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            int cut = msg.indexOf('\n');
            throw new ParseException(new FieldError("", Type.INVALID, "invalid JSON at line "
                    + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ", column "
                    + (e.getLocation() == null ? "?" : e.getLocation().getColumnNr()) + ": "
                    + (cut < 0 ? msg : msg.substring(0, cut)), "correct the syntax"));
        } catch (IOException e) {
            throw new ParseException(new FieldError("", Type.INVALID, "cannot read JSON: " + e.getMessage(),
                    "correct the syntax"));
        }
        return docs;
    }

    private List<JsonNode> parseYaml(String text) throws ParseException {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(limits.maxAliases());
        options.setNestingDepthLimit(limits.maxDepth());
        options.setCodePointLimit(limits.maxInputBytes());
        options.setAllowRecursiveKeys(false);
        options.setAllowDuplicateKeys(false);
        Composer composer = new Composer(new ParserImpl(new StreamReader(text), options), new CoreSchemaResolver(), options);
        List<JsonNode> docs = new ArrayList<>();
        Budget budget = new Budget(limits.maxNodes());
        try {
            while (composer.checkNode()) {
                Node n = composer.getNode();
                if (n instanceof ScalarNode s && (s.getTag().equals(Tag.NULL) || s.getValue().isEmpty())) {
                    continue; // an empty document between two "---"
                }
                docs.add(convert(n, 0, budget));
            }
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new ParseException(new FieldError("", Type.INVALID, "invalid YAML"
                    + (m == null ? "" : " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
                    + ": " + firstLine(problem), "correct the syntax"));
        } catch (YAMLException e) {
            throw yamlLimit(e);
        }
        return docs;
    }

    private ParseException yamlLimit(YAMLException e) {
        String msg = firstLine(String.valueOf(e.getMessage()));
        if (msg.contains("aliases")) {
            return new ParseException(new FieldError("", Type.TOO_MANY, "YAML uses more than " + limits.maxAliases()
                    + " aliases to collections (alias expansion bomb?)", "write the values out instead of using anchors"));
        }
        if (msg.contains("Nesting Depth")) {
            return new ParseException(new FieldError("", Type.TOO_MANY, "YAML nests deeper than " + limits.maxDepth()
                    + " levels", "flatten the document"));
        }
        if (msg.contains("code points")) {
            return new ParseException(new FieldError("", Type.TOO_LONG, "input exceeds "
                    + limits.maxInputBytes() + " characters", "split it into smaller files"));
        }
        return new ParseException(new FieldError("", Type.INVALID, "invalid YAML: " + msg, "correct the syntax"));
    }

    private static String firstLine(String s) {
        int cut = s.indexOf('\n');
        return (cut < 0 ? s : s.substring(0, cut)).trim();
    }

    /** Counts values produced, so aliases cannot expand a small input into a huge tree. */
    private static final class Budget {
        private int left;

        Budget(int max) {
            this.left = max;
        }
    }

    private JsonNode convert(Node n, int depth, Budget budget) throws ParseException {
        if (depth > limits.maxDepth()) {
            throw new ParseException(new FieldError("", Type.TOO_MANY, "YAML nests deeper than " + limits.maxDepth()
                    + " levels (or an alias refers to itself)", "flatten the document and remove recursive anchors"));
        }
        if (--budget.left < 0) {
            throw new ParseException(new FieldError("", Type.TOO_MANY, "YAML expands to more than "
                    + limits.maxNodes() + " values (alias expansion bomb?)",
                    "write the values out instead of using anchors"));
        }
        if (!PLAIN_TAGS.contains(n.getTag())) {
            throw new ParseException(new FieldError("", Type.INVALID, "YAML tag " + n.getTag().getValue()
                    + " at line " + (n.getStartMark().getLine() + 1) + " is not supported",
                    "remove the tag; resources use plain strings, numbers, booleans, lists and mappings"));
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (n instanceof MappingNode m) {
            ObjectNode o = f.objectNode();
            Set<String> seen = new HashSet<>();
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k)) {
                    throw new ParseException(new FieldError("", Type.INVALID, "a mapping key at line "
                            + (t.getKeyNode().getStartMark().getLine() + 1) + " is not a plain string",
                            "use plain string keys"));
                }
                String key = k.getValue();
                if (!seen.add(key)) {
                    throw new ParseException(new FieldError("", Type.DUPLICATE, "duplicate key \"" + key
                            + "\" at line " + (k.getStartMark().getLine() + 1), "keep one of the two entries"));
                }
                o.set(key, convert(t.getValueNode(), depth + 1, budget));
            }
            return o;
        }
        if (n instanceof SequenceNode s) {
            ArrayNode a = f.arrayNode();
            for (Node item : s.getValue()) {
                a.add(convert(item, depth + 1, budget));
            }
            return a;
        }
        ScalarNode s = (ScalarNode) n;
        String v = s.getValue();
        Tag tag = s.getTag();
        try {
            if (tag.equals(Tag.NULL)) {
                return f.nullNode();
            }
            if (tag.equals(Tag.BOOL)) {
                return f.booleanNode(v.equalsIgnoreCase("true"));
            }
            if (tag.equals(Tag.INT)) {
                BigInteger b = HEX.matcher(v).matches() ? new BigInteger(v.substring(2), 16)
                        : OCT.matcher(v).matches() ? new BigInteger(v.substring(2), 8)
                        : new BigInteger(v.startsWith("+") ? v.substring(1) : v);
                if (b.bitLength() < 32) {
                    return f.numberNode(b.intValue());
                }
                return b.bitLength() < 64 ? f.numberNode(b.longValue()) : f.numberNode(b);
            }
            if (tag.equals(Tag.FLOAT)) {
                if (INF_NAN.matcher(v).matches()) {
                    throw new ParseException(new FieldError("", Type.INVALID, "YAML value " + v + " at line "
                            + (s.getStartMark().getLine() + 1) + " is not a finite number", "use a finite number"));
                }
                return f.numberNode(new BigDecimal(v));
            }
        } catch (NumberFormatException e) {
            throw new ParseException(new FieldError("", Type.INVALID, "YAML value \"" + v + "\" at line "
                    + (s.getStartMark().getLine() + 1) + " is not a valid " + tag.getValue(), "correct the value"));
        }
        return f.textNode(v);
    }

    /** YAML 1.2 core schema: no yes/no/on/off booleans, no sexagesimal numbers, no timestamps, no merge keys. */
    private static final class CoreSchemaResolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, BOOL, "tTfF", 10);
            addImplicitResolver(Tag.INT, INT, "-+0123456789", 80);
            addImplicitResolver(Tag.INT, HEX, "0", 80);
            addImplicitResolver(Tag.INT, OCT, "0", 80);
            addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.", 80);
            addImplicitResolver(Tag.FLOAT, INF_NAN, "-+.", 10);
            addImplicitResolver(Tag.NULL, NULL, "~nN\0", 10);
            addImplicitResolver(Tag.NULL, Pattern.compile("^$"), null, 10);
        }
    }
}
