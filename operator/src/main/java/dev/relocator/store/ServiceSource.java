package dev.relocator.store;

import java.util.List;

/** The services that opt in with the stack-file label shorthand ({@code relocator.dev/volume}). */
@FunctionalInterface
public interface ServiceSource {

    List<LabelledService> labelledServices();

    static ServiceSource none() {
        return List::of;
    }
}
