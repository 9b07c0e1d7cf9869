/**
 * Store exceptions as RFC 9457 problem details, for Spring MVC and WebFlux.
 */
@NullMarked
package io.valkeyrie.boot.web;

import org.jspecify.annotations.NullMarked;
