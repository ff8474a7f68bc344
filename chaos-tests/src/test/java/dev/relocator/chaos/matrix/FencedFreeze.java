package dev.relocator.chaos.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.history.WriteRecord;
import dev.relocator.chaos.operator.FenceWebhook;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The claim of a freeze longer than the lease on a volume with its own (strict) fence hook, checked
 * on a stored run: the frozen node was powered off by the hook before the new writer started, the
 * relocation's fencing evidence is the hook's ({@code EXTERNAL_FENCE}, never the lease), and the
 * frozen writer wrote nothing after its replacement's first record or after the new epoch's
 * Starting arrived. Everything it reads is in the history (the webhook's calls are recorded there
 * as {@value #CALL} entries), so a re-check without the lab gives the same answer.
 */
final class FencedFreeze {

    /** History entry (process harness) of one call of the lab's fence webhook. */
    static final String CALL = "fence-hook";

    private static final ObjectMapper JSON = new ObjectMapper();

    private FencedFreeze() {
    }

    /** The history entry for one webhook call. */
    static Map<String, Object> entry(FenceWebhook.Call c) {
        return Map.of("node", c.hostname(), "volume", c.volume(), "path", c.path(), "receivedMillis", c.receivedMillis(),
                "answer", c.answer(), "offMillis", c.offMillis());
    }

    /** The violations of the claim; empty when it held. */
    static List<String> violations(RunData run, String frozen) {
        List<String> f = new ArrayList<>();
        List<Op> ops = run.history();
        List<WriteRecord> rec = run.volume().orElse(List.of());
        Optional<Op> fault = ops.stream().filter(o -> Op.NEMESIS.equals(o.process()) && Op.INVOKE.equals(o.type())
                && !Checker.HEAL.equals(o.f())).findFirst();
        if (fault.isEmpty() || frozen == null) {
            return List.of("no fault recorded");
        }
        long faultAt = fault.get().time();
        Optional<Op> off = ops.stream().filter(o -> Op.HARNESS.equals(o.process()) && CALL.equals(o.f()) && frozen.equals(o.str("node"))
                && Long.valueOf(200).equals(num(o, "answer")) && num(o, "offMillis") != null && num(o, "offMillis") > 0
                && num(o, "receivedMillis") != null && num(o, "receivedMillis") >= faultAt).findFirst();
        if (off.isEmpty()) {
            f.add("expected the fence hook to power " + frozen + " off (a call answered 200); calls: "
                    + ops.stream().filter(o -> CALL.equals(o.f())).map(Op::value).toList());
        }
        List<String> evidence = ops.stream().filter(o -> "phase".equals(o.f()) && o.time() >= faultAt
                        && String.valueOf(o.str("phase")).startsWith("Detaching e") && !String.valueOf(o.str("phase")).equals("Detaching e0"))
                .map(FencedFreeze::evidence).toList();
        if (evidence.isEmpty() || !evidence.stream().allMatch("EXTERNAL_FENCE"::equals)) {
            f.add("expected every Detaching after the freeze fenced by EXTERNAL_FENCE (the strict hook), seen " + evidence);
        }
        Optional<String> old = rec.stream().filter(w -> w.time() <= faultAt).reduce((a, b) -> b).map(WriteRecord::writer);
        if (old.isEmpty()) {
            f.add("no writer before the freeze");
            return f;
        }
        int firstNew = -1;
        for (int i = 0; i < rec.size(); i++) {
            if (!rec.get(i).writer().equals(old.get())) {
                firstNew = i;
                break;
            }
        }
        if (firstNew < 0) {
            f.add("no new writer after the freeze");
            return f;
        }
        WriteRecord replacement = rec.get(firstNew);
        long oldLast = rec.stream().filter(w -> w.writer().equals(old.get())).mapToLong(WriteRecord::time).max().orElse(0);
        for (int i = firstNew; i < rec.size(); i++) {
            if (rec.get(i).writer().equals(old.get())) {
                f.add("the frozen writer " + old.get() + " appended after its replacement's first record (record " + i + " of the file)");
                break;
            }
        }
        if (oldLast > replacement.time()) {
            f.add("the frozen writer's last record (" + oldLast + ") is later than the replacement's first (" + replacement.time() + ")");
        }
        off.ifPresent(o -> {
            long offAt = num(o, "offMillis");
            if (offAt > replacement.time()) {
                f.add(String.format(java.util.Locale.ROOT, "the replacement wrote %.2f s before %s was off", (offAt - replacement.time()) / 1000.0,
                        frozen));
            }
        });
        ops.stream().filter(o -> "phase".equals(o.f()) && o.time() >= faultAt && String.valueOf(o.str("phase")).startsWith("Starting e"))
                .findFirst().ifPresent(start -> {
                    if (oldLast > start.time()) {
                        f.add("the frozen writer wrote after " + start.str("phase") + " arrived");
                    }
                });
        return f;
    }

    private static Long num(Op o, String key) {
        try {
            return o.num(key);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The evidence named in a phase entry's details (the event's data.details, stored as JSON text). */
    private static String evidence(Op phase) {
        Object d = phase.value().get("details");
        if (d == null) {
            return "none";
        }
        try {
            JsonNode n = JSON.readTree(String.valueOf(d));
            return n.path("evidence").asText("none");
        } catch (Exception e) {
            return "unreadable";
        }
    }
}
