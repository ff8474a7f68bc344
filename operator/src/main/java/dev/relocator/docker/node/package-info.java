/**
 * The agent's hands on its own node: find the writers of a volume, kill them and confirm they
 * are gone within a bound, remove a node-local volume reference (never data: a {@code local}
 * volume without a {@code device} is refused, because its data lives on the node), create a
 * volume with its driver options plus nosuid/nodev, and apply ownership with a short-lived helper
 * container from a local image. Every action re-reads the engine; the {@link
 * dev.relocator.docker.node.LocalView} cache is for reporting only.
 */
package dev.relocator.docker.node;
