/**
 * Benchmarks of discovery on the store.
 */
@NullMarked
package io.valkeyrie.benchmarks.discovery;

import org.jspecify.annotations.NullMarked;
