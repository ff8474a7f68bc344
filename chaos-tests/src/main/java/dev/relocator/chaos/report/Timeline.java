package dev.relocator.chaos.report;

import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.history.WriteRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Draws one run as inline SVG: a lane of faults, a lane per node showing which writer wrote
 * when (acknowledged writes missing from the volume in red), a lane of relocation phases (fed
 * by the operator), and the periods where two writers overlapped.
 */
final class Timeline {

    private static final int WIDTH = 1000;
    private static final int LEFT = 110;
    private static final int LANE = 26;
    private static final String[] COLORS = {"#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"};

    private Timeline() {
    }

    static String svg(RunData run, CheckResult result) {
        List<Op> ops = run.history();
        List<WriteRecord> records = new ArrayList<>(run.volume().orElse(List.of()));
        List<WriteRecord> lost = new ArrayList<>();
        java.util.Set<String> lostKeys = new java.util.HashSet<>(result.lostKeys());
        for (Op o : ops) {
            if ("write".equals(o.f()) && Op.OK.equals(o.type()) && lostKeys.contains(o.process() + "#" + o.num("seq"))) {
                lost.add(new WriteRecord(o.process(), o.str("container"), o.str("node"), o.num("seq"), o.num("time")));
            }
        }
        long t0 = Long.MAX_VALUE;
        long t1 = Long.MIN_VALUE;
        for (Op o : ops) {
            t0 = Math.min(t0, o.time());
            t1 = Math.max(t1, o.time());
        }
        for (WriteRecord r : records) {
            t0 = Math.min(t0, r.time());
            t1 = Math.max(t1, r.time());
        }
        if (t0 >= t1) {
            return "<p>empty run</p>";
        }
        TreeSet<String> nodes = new TreeSet<>();
        records.forEach(r -> nodes.add(r.node()));
        lost.forEach(r -> nodes.add(r.node()));
        Object listed = ops.stream().filter(o -> "run".equals(o.f())).findFirst().map(o -> o.value().get("nodes")).orElse(null);
        if (listed instanceof List<?> l) {
            l.forEach(n -> nodes.add(n.toString()));
        }
        List<String> lanes = new ArrayList<>();
        lanes.add("faults");
        lanes.addAll(nodes);
        lanes.add("phases");
        int height = LANE * lanes.size() + 24;
        final long start = t0;
        final double scale = (WIDTH - LEFT - 10) / (double) (t1 - t0);
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"11\">");
        for (int i = 0; i < lanes.size(); i++) {
            int y = i * LANE;
            s.append("<text x=\"4\" y=\"").append(y + 17).append("\">").append(ChaosReport.esc(lanes.get(i))).append("</text>")
                    .append("<line x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH).append("\" y1=\"").append(y + LANE)
                    .append("\" y2=\"").append(y + LANE).append("\" stroke=\"#eee\"/>");
        }
        for (CheckResult.Overlap o : result.overlaps()) {
            double x = LEFT + (o.fromMs() - start) * scale;
            double w = Math.max(2, (o.toMs() - o.fromMs()) * scale);
            s.append("<rect x=\"").append(fmt(x)).append("\" y=\"0\" width=\"").append(fmt(w)).append("\" height=\"")
                    .append(LANE * lanes.size()).append("\" fill=\"#f00\" opacity=\"0.12\"><title>two writers</title></rect>");
        }
        // faults: from the nemesis invoke to the matching heal
        Map<String, Long> open = new LinkedHashMap<>();
        for (Op o : ops) {
            if (!Op.NEMESIS.equals(o.process())) {
                continue;
            }
            if (Op.INVOKE.equals(o.type()) && !"heal".equals(o.f())) {
                open.put(o.f() + "@" + o.str("node"), o.time());
                s.append(mark(LEFT + (o.time() - start) * scale, LANE * lanes.size(), "#d62728", o.f() + " " + o.str("node")));
            } else if (Op.OK.equals(o.type()) && "heal".equals(o.f())) {
                Long from = open.remove(o.str("fault") + "@" + o.str("node"));
                if (from != null) {
                    s.append(bar(LEFT + (from - start) * scale, 4, (o.time() - from) * scale, "#d62728", o.str("fault") + " " + o.str("node")));
                }
            }
        }
        final long last = t1;
        open.forEach((k, from) -> s.append(bar(LEFT + (from - start) * scale, 4, (last - from) * scale, "#d62728", k + " (not healed)")));
        // writes: one tick per record, colour per writer
        Map<String, String> colour = new LinkedHashMap<>();
        for (WriteRecord r : records) {
            colour.computeIfAbsent(r.writer(), w -> COLORS[colour.size() % COLORS.length]);
            int lane = 1 + new ArrayList<>(nodes).indexOf(r.node());
            s.append("<rect x=\"").append(fmt(LEFT + (r.time() - start) * scale)).append("\" y=\"").append(lane * LANE + 5)
                    .append("\" width=\"1.5\" height=\"").append(LANE - 10).append("\" fill=\"").append(colour.get(r.writer()))
                    .append("\"><title>").append(ChaosReport.esc(r.writer() + " #" + r.seq())).append("</title></rect>");
        }
        for (WriteRecord r : lost) {
            int lane = 1 + new ArrayList<>(nodes).indexOf(r.node());
            s.append("<rect x=\"").append(fmt(LEFT + (r.time() - start) * scale)).append("\" y=\"").append(lane * LANE + 2)
                    .append("\" width=\"1.5\" height=\"").append(LANE - 4).append("\" fill=\"#f00\"><title>lost ")
                    .append(ChaosReport.esc(r.writer() + " #" + r.seq())).append("</title></rect>");
        }
        // phases reported by the operator
        int phaseLane = lanes.size() - 1;
        List<Op> phases = ops.stream().filter(o -> "phase".equals(o.f())).toList();
        for (int i = 0; i < phases.size(); i++) {
            Op p = phases.get(i);
            long end = i + 1 < phases.size() ? phases.get(i + 1).time() : t1;
            s.append(bar(LEFT + (p.time() - start) * scale, phaseLane * LANE + 4, (end - p.time()) * scale,
                    COLORS[i % COLORS.length], p.str("phase") + " " + p.str("node")));
        }
        int axis = lanes.size() * LANE + 14;
        // long arithmetic and a bounded tick count: a corrupt record time must not hang the report
        long span = Math.max(0, (t1 - t0) / 1000);
        long step = Math.max(1, span / 10);
        for (long sec = 0; sec <= span; sec += step) {
            s.append("<text x=\"").append(fmt(LEFT + sec * 1000 * scale)).append("\" y=\"").append(axis).append("\">")
                    .append(sec).append("s</text>");
        }
        s.append("</svg><div style=\"font-size:11px\">writers: ");
        colour.forEach((w, c) -> s.append("<span style=\"color:").append(c).append("\">&#9632; ").append(ChaosReport.esc(w)).append("</span> "));
        s.append(lost.isEmpty() ? "" : "<span style=\"color:#f00\">&#9632; acknowledged but lost</span>").append("</div>");
        return s.toString();
    }

    private static String bar(double x, int y, double w, String colour, String title) {
        return "<rect x=\"" + fmt(x) + "\" y=\"" + y + "\" width=\"" + fmt(Math.max(2, w)) + "\" height=\"" + (LANE - 8)
                + "\" fill=\"" + colour + "\" opacity=\"0.6\"><title>" + ChaosReport.esc(title) + "</title></rect>"
                + "<text x=\"" + fmt(x + 2) + "\" y=\"" + (y + 13) + "\" fill=\"#000\">" + ChaosReport.esc(title) + "</text>";
    }

    private static String mark(double x, int height, String colour, String title) {
        return "<line x1=\"" + fmt(x) + "\" x2=\"" + fmt(x) + "\" y1=\"0\" y2=\"" + height + "\" stroke=\"" + colour
                + "\" stroke-dasharray=\"3,3\"><title>" + ChaosReport.esc(title) + "</title></line>";
    }

    private static String fmt(double d) {
        return String.format(java.util.Locale.ROOT, "%.1f", d);
    }
}
