/**
 * Shared machinery of every backend: key rules, the store template, watch multiplexing and
 * lock state. Not API: it may change in any release.
 */
@NullMarked
package io.valkeyrie.store.internal;

import org.jspecify.annotations.NullMarked;
