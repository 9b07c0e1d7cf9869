/**
 * Watch latency against each raw client's own watch, and watch scale.
 */
@NullMarked
package io.valkeyrie.benchmarks.watch;

import org.jspecify.annotations.NullMarked;
