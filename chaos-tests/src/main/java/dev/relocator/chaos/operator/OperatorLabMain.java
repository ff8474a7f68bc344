package dev.relocator.chaos.operator;

import dev.relocator.chaos.lab.LabNode;
import dev.relocator.chaos.lab.SwarmLab;
import java.io.IOException;

/**
 * A lab with the operator stack deployed, kept until Enter (or end of input, or SIGTERM):
 * <pre>java -cp ... dev.relocator.chaos.operator.OperatorLabMain [managers [workers]]</pre>
 */
public final class OperatorLabMain {

    private OperatorLabMain() {
    }

    public static void main(String[] args) throws IOException {
        int managers = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        try (SwarmLab lab = SwarmLab.start(new SwarmLab.Spec(managers, workers));
             OperatorStack stack = OperatorStack.deploy(lab)) {
            System.out.println("LAB UP " + lab.runId() + " in " + lab.timings().total() + " ms; operator image " + stack.image()
                    + " built+loaded in " + stack.buildMillis() + " ms, stack healthy in " + stack.deployMillis() + " ms; kafka "
                    + stack.broker().bootstrapServers());
            for (LabNode n : lab.nodes()) {
                System.out.println("NODE " + n.name() + " " + (n.manager() ? "manager" : "worker") + " " + n.ip() + " " + n.containerId());
            }
            System.out.flush();
            int c;
            do {
                c = System.in.read();
            } while (c != -1 && c != '\n');
        }
    }
}
