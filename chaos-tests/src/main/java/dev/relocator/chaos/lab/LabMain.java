package dev.relocator.chaos.lab;

import java.io.IOException;

/**
 * Brings up a lab by hand and keeps it until Enter (or end of input):
 * <pre>java -cp ... dev.relocator.chaos.lab.LabMain [managers [workers]]</pre>
 * Prints {@code LAB UP <runId>} and one line per node. Ctrl-C removes the lab too (shutdown hook);
 * a {@code kill -9} leaves it for the next lab start to remove.
 */
public final class LabMain {

    private LabMain() {
    }

    public static void main(String[] args) throws IOException {
        int managers = args.length > 0 ? parse(args[0], "managers") : 1;
        int workers = args.length > 1 ? parse(args[1], "workers") : 2;
        try (SwarmLab lab = SwarmLab.start(new SwarmLab.Spec(managers, workers))) {
            System.out.println("LAB UP " + lab.runId() + " network " + lab.networkName() + " gateway " + lab.gatewayAddress()
                    + " shared " + lab.sharedDir() + " in " + lab.timings().total() + " ms");
            for (LabNode n : lab.nodes()) {
                System.out.println("NODE " + n.name() + " " + (n.manager() ? "manager" : "worker") + " " + n.ip() + " " + n.containerId());
            }
            System.out.println("Enter (or end of input) removes the lab; docker exec -it <container> docker ... reaches a node");
            System.out.flush();
            int c;
            do {
                c = System.in.read();
            } while (c != -1 && c != '\n');
        }
    }

    private static int parse(String s, String what) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number, got '" + s + "' (usage: LabMain [managers [workers]])", e);
        }
    }
}
