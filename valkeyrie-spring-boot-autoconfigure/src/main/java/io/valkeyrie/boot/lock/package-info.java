/**
 * A Spring Integration {@code LockRegistry} backed by valkeyrie locks.
 */
@NullMarked
package io.valkeyrie.boot.lock;

import org.jspecify.annotations.NullMarked;
