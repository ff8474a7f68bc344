package dev.relocator.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Docker {@code /events} lines shaped like the Engine 20.10 stream on this machine (field names,
 * attribute sets, 64-hex ids, {@code scope}, {@code time}/{@code timeNano}), for the kinds and
 * actions the operator subscribes to. Deterministic, so every fork decodes the same bytes.
 */
final class EventLines {

    static final int CONTAINERS = 200;
    static final int VOLUMES = 50;
    static final int SERVICES = 20;
    static final int NODES = 5;

    /** 100 µs apart: a batch spans longer than the 1 s de-duplication overlap, so pruning runs too. */
    static final long SPACING_NANOS = 100_000L;
    static final long T0 = 1_764_870_000_000_000_000L;

    private EventLines() {
    }

    static String hexId(String kind, int i) {
        StringBuilder sb = new StringBuilder(64);
        long x = (kind.hashCode() * 0x9E3779B97F4A7C15L) ^ (i * 0xC2B2AE3D27D4EB4FL);
        while (sb.length() < 64) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            sb.append(String.format(Locale.ROOT, "%016x", x));
        }
        return sb.substring(0, 64);
    }

    static List<String> lines(int count) {
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long tn = T0 + i * SPACING_NANOS;
            out.add(line(i, tn));
        }
        return out;
    }

    /** All lines as one newline-separated body, as the daemon streams them. */
    static byte[] body(List<String> lines) {
        StringBuilder sb = new StringBuilder(lines.size() * 400);
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String line(int i, long tn) {
        long t = tn / 1_000_000_000L;
        int c = i % CONTAINERS;
        String cid = hexId("container", c);
        String svc = "svc" + (c % SERVICES);
        String task = hexId("task", c).substring(0, 25);
        String node = hexId("node", c % NODES).substring(0, 25);
        String containerAttrs = "\"com.docker.stack.namespace\":\"app\",\"com.docker.swarm.node.id\":\"" + node
                + "\",\"com.docker.swarm.service.id\":\"" + hexId("service", c % SERVICES).substring(0, 25)
                + "\",\"com.docker.swarm.service.name\":\"app_" + svc + "\",\"com.docker.swarm.task\":\"\","
                + "\"com.docker.swarm.task.id\":\"" + task + "\",\"com.docker.swarm.task.name\":\"app_" + svc + ".1." + task
                + "\",\"dev.relocator.fenced\":\"true\",\"image\":\"relocator/pg:local\",\"name\":\"app_" + svc + ".1." + task + "\"";
        return switch (i % 12) {
            case 0, 1 -> container("start", cid, containerAttrs, t, tn);
            case 2 -> container("kill", cid, containerAttrs + ",\"signal\":\"15\"", t, tn);
            case 3, 4 -> container("die", cid, containerAttrs + ",\"exitCode\":\"137\"", t, tn);
            case 5 -> container("oom", cid, containerAttrs, t, tn);
            case 6 -> container("destroy", cid, containerAttrs, t, tn);
            case 7, 8 -> volume(i % 24 < 12 ? "mount" : "unmount", "pgdata" + (i % VOLUMES), cid, t, tn);
            case 9 -> volume("unmount", "pgdata" + (i % VOLUMES), cid, t, tn);
            case 10 -> "{\"Type\":\"service\",\"Action\":\"update\",\"Actor\":{\"ID\":\"" + hexId("service", i % SERVICES).substring(0, 25)
                    + "\",\"Attributes\":{\"name\":\"app_svc" + (i % SERVICES) + "\",\"updatestate.new\":\"updating\"}},"
                    + "\"scope\":\"swarm\",\"time\":" + t + ",\"timeNano\":" + tn + "}";
            default -> "{\"Type\":\"node\",\"Action\":\"update\",\"Actor\":{\"ID\":\"" + hexId("node", i % NODES).substring(0, 25)
                    + "\",\"Attributes\":{\"availability.new\":\"drain\",\"availability.old\":\"active\",\"name\":\"node-" + (i % NODES)
                    + "\"}},\"scope\":\"swarm\",\"time\":" + t + ",\"timeNano\":" + tn + "}";
        };
    }

    private static String container(String action, String id, String attrs, long t, long tn) {
        return "{\"status\":\"" + action + "\",\"id\":\"" + id + "\",\"from\":\"relocator/pg:local\",\"Type\":\"container\","
                + "\"Action\":\"" + action + "\",\"Actor\":{\"ID\":\"" + id + "\",\"Attributes\":{" + attrs + "}},"
                + "\"scope\":\"local\",\"time\":" + t + ",\"timeNano\":" + tn + "}";
    }

    private static String volume(String action, String name, String container, long t, long tn) {
        String attrs = action.equals("mount")
                ? "\"container\":\"" + container + "\",\"destination\":\"/var/lib/postgresql/data\",\"driver\":\"local\","
                + "\"propagation\":\"\",\"read/write\":\"true\""
                : "\"container\":\"" + container + "\",\"driver\":\"local\"";
        return "{\"Type\":\"volume\",\"Action\":\"" + action + "\",\"Actor\":{\"ID\":\"" + name + "\",\"Attributes\":{" + attrs + "}},"
                + "\"scope\":\"local\",\"time\":" + t + ",\"timeNano\":" + tn + "}";
    }
}
