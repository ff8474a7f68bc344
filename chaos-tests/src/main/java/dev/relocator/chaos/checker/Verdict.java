package dev.relocator.chaos.checker;

/** A checker's answer. Unknown is first-class: it is neither a pass nor a failure. */
public enum Verdict {
    VALID, INVALID, UNKNOWN;

    /** Invalid beats unknown beats valid. */
    public Verdict and(Verdict other) {
        if (this == INVALID || other == INVALID) {
            return INVALID;
        }
        if (this == UNKNOWN || other == UNKNOWN) {
            return UNKNOWN;
        }
        return VALID;
    }
}
