package dev.relocator.chaos.lab;

/** The outcome of a command run inside a lab node. */
public record ExecResult(long exitCode, String stdout, String stderr) {

    public boolean ok() {
        return exitCode == 0;
    }

    public ExecResult orThrow(String what) {
        if (!ok()) {
            throw new LabException(what + " failed with exit code " + exitCode + ": " + stderr.strip() + " " + stdout.strip());
        }
        return this;
    }
}
