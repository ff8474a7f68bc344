package dev.relocator.crd.validation;

import dev.relocator.crd.load.ParseLimits;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the semantic checks accept that differs per installation.
 *
 * @param volumeDrivers volume drivers a resource may name; {@code local} is always allowed,
 *                      plugin names are compared without a {@code :latest} tag
 * @param limits        parser bounds (payload size, YAML aliases, nesting)
 */
public record ValidationOptions(Set<String> volumeDrivers, ParseLimits limits) {

    public static final String LOCAL_DRIVER = "local";

    public ValidationOptions {
        TreeSet<String> d = new TreeSet<>();
        d.add(LOCAL_DRIVER);
        if (volumeDrivers != null) {
            volumeDrivers.forEach(v -> d.add(normalizeDriver(v)));
        }
        volumeDrivers = Collections.unmodifiableSortedSet(d);
        limits = limits == null ? ParseLimits.defaults() : limits;
    }

    /** Only the {@code local} driver, default parse limits. */
    public static ValidationOptions defaults() {
        return new ValidationOptions(Set.of(), ParseLimits.defaults());
    }

    public ValidationOptions withDrivers(Collection<String> plugins) {
        return new ValidationOptions(Set.copyOf(plugins), limits);
    }

    public ValidationOptions withLimits(ParseLimits l) {
        return new ValidationOptions(volumeDrivers, l);
    }

    public boolean driverAllowed(String driver) {
        return volumeDrivers.contains(normalizeDriver(driver));
    }

    /** Docker names a plugin {@code repo/name:tag}; without a tag it means {@code :latest}. */
    public static String normalizeDriver(String driver) {
        return driver.endsWith(":latest") ? driver.substring(0, driver.length() - ":latest".length()) : driver;
    }
}
