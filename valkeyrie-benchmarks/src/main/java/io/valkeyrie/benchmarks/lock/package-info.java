/**
 * Lock clients (ours and Spring Integration's) and the hand-over latency measurement.
 */
@NullMarked
package io.valkeyrie.benchmarks.lock;

import org.jspecify.annotations.NullMarked;
