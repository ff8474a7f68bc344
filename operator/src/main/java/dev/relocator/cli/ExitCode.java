package dev.relocator.cli;

/** relocatorctl's exit codes (docs/api.md); scripts branch on them. */
public final class ExitCode {
    public static final int OK = 0;
    /** Wrong command line: unknown option, missing argument. */
    public static final int USAGE = 1;
    /** The object (or node) does not exist. */
    public static final int NOT_FOUND = 2;
    /** 409: it exists already, or it changed since it was read. */
    public static final int CONFLICT = 3;
    /** The input or request is invalid (client-side validation, 400, 413, 415, 422). */
    public static final int INVALID = 4;
    /** 401/403: no token, or a wrong one. */
    public static final int UNAUTHORIZED = 5;
    /** No answer from the server (refused, timed out, not HTTP). */
    public static final int UNREACHABLE = 6;
    /** The server failed (5xx) or answered something unexpected. */
    public static final int SERVER_ERROR = 7;

    private ExitCode() {
    }

    static int forHttp(int code) {
        if (code == 404) {
            return NOT_FOUND;
        }
        if (code == 409) {
            return CONFLICT;
        }
        if (code == 401 || code == 403) {
            return UNAUTHORIZED;
        }
        if (code == 400 || code == 405 || code == 406 || code == 413 || code == 415 || code == 422) {
            return INVALID;
        }
        return SERVER_ERROR;
    }
}
