package dev.relocator.docker.events;

import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventActor;
import com.github.dockerjava.api.model.EventType;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A decoded Docker event: a hint that {@link #ref()} may have changed. Nothing acts on the
 * event's content alone; the handler re-reads the object.
 *
 * @param timeNano the daemon's timestamp, the resume position for {@code since}
 */
public record DockerEvent(ObjectRef ref, String action, long timeNano, Map<String, String> attributes) {

    /** The actions that can change what Relocator cares about, per kind. */
    static final Map<ObjectKind, Set<String>> ACTIONS = Map.of(
            ObjectKind.CONTAINER, Set.of("start", "die", "kill", "oom", "destroy"),
            ObjectKind.VOLUME, Set.of("mount", "unmount", "create", "destroy"),
            ObjectKind.SERVICE, Set.of("create", "update", "remove"),
            ObjectKind.NODE, Set.of("create", "update", "remove"),
            ObjectKind.CONFIG, Set.of("create", "update", "remove"));

    public DockerEvent {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(action, "action");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** Identity for de-duplicating events replayed after a reconnect. */
    String identity() {
        return ref + "|" + action + "|" + timeNano;
    }

    /**
     * Decodes a docker-java event, or nothing when it is not one Relocator listens to.
     * Action strings carry suffixes for some events ({@code "exec_start: sh"},
     * {@code "health_status: healthy"}): only the part before ':' is compared.
     */
    public static Optional<DockerEvent> decode(Event event) {
        if (event == null || event.getType() == null) {
            return Optional.empty();
        }
        ObjectKind kind = kindOf(event.getType());
        if (kind == null) {
            return Optional.empty();
        }
        String action = event.getAction() != null ? event.getAction() : event.getStatus();
        if (action == null) {
            return Optional.empty();
        }
        int colon = action.indexOf(':');
        if (colon >= 0) {
            action = action.substring(0, colon);
        }
        if (!ACTIONS.get(kind).contains(action)) {
            return Optional.empty();
        }
        EventActor actor = event.getActor();
        String id = actor != null && actor.getId() != null ? actor.getId() : event.getId();
        if (id == null || id.isBlank()) {
            return Optional.empty();
        }
        long timeNano;
        if (event.getTimeNano() != null) {
            timeNano = event.getTimeNano();
        } else if (event.getTime() != null) {
            timeNano = event.getTime() * 1_000_000_000L;
        } else {
            return Optional.empty();
        }
        Map<String, String> attributes = actor != null && actor.getAttributes() != null ? actor.getAttributes() : Map.of();
        return Optional.of(new DockerEvent(new ObjectRef(kind, id), action, timeNano, attributes));
    }

    static ObjectKind kindOf(EventType type) {
        return switch (type) {
            case CONTAINER -> ObjectKind.CONTAINER;
            case VOLUME -> ObjectKind.VOLUME;
            case SERVICE -> ObjectKind.SERVICE;
            case NODE -> ObjectKind.NODE;
            case CONFIG -> ObjectKind.CONFIG;
            default -> null;
        };
    }
}
