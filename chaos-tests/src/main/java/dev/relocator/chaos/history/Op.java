package dev.relocator.chaos.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of a history, Jepsen style: a process (a writer id, or {@code nemesis}) invokes a
 * function and later completes it with {@code ok}, {@code fail} or {@code info} (outcome unknown).
 *
 * @param time  wall-clock milliseconds; every lab container shares the host kernel clock, so times
 *              taken inside nodes and by the harness are comparable
 * @param process who acted: {@link #NEMESIS}, {@link #HARNESS} or a writer id
 * @param type  {@code invoke | ok | fail | info}
 * @param f     what was done: {@code write}, a fault name, {@code heal}, {@code phase}, ...
 * @param value details, free form but flat
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Op(long time, String process, String type, String f, Map<String, Object> value) {

    public static final String NEMESIS = "nemesis";
    public static final String HARNESS = "harness";
    public static final String INVOKE = "invoke";
    public static final String OK = "ok";
    public static final String FAIL = "fail";
    public static final String INFO = "info";

    public Op {
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(f, "f");
        value = value == null ? Map.of() : Map.copyOf(value);
    }

    public String str(String key) {
        Object v = value.get(key);
        return v == null ? null : v.toString();
    }

    public Long num(String key) {
        Object v = value.get(key);
        if (v instanceof Number n) {
            return n.longValue();
        }
        return v == null ? null : Long.valueOf(v.toString());
    }

    public boolean flag(String key) {
        Object v = value.get(key);
        return v instanceof Boolean b ? b : v != null && Boolean.parseBoolean(v.toString());
    }
}
