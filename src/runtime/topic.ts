/**
 * Topics typed by what travels on them.
 *
 * A topic's name is a string at run time, but in the type system it carries
 * the union of the messages published on it, so `publish` accepts only those
 * and a subscriber's handler receives exactly that union, without a cast
 * (nautilus `MessagingSwitchboard`). The runtime stays generic: which topics
 * exist, and what each carries, is the domain's map, declared once with
 * `defineTopics`.
 */
import type { Message } from './message.js';

declare const carries: unique symbol;

/**
 * A topic name that carries messages of type `M`. Only `defineTopics` makes
 * one, so a typo or a string literal cannot stand in for a topic. Covariant in
 * `M`: a topic of `A` is also a topic of any union containing `A`, which is
 * what lets an actor check that it accepts everything its topics carry.
 */
export type Topic<M extends Message = Message> = string & { readonly [carries]: M };

/** The union of messages a topic carries. */
export type TopicMessage<T> = T extends Topic<infer M> ? M : never;

/** A placeholder naming a topic's message union inside `defineTopics`; nothing at run time. */
export interface Carrying<M extends Message> {
  readonly [carries]?: M;
}

/** Declares that a topic carries `M`: `defineTopics({ fills: carrying<FillMsg>() })`. */
export function carrying<M extends Message>(): Carrying<M> {
  return {};
}

export type TopicsOf<T extends Record<string, Carrying<Message>>> = { readonly [K in keyof T & string]: T[K] extends Carrying<infer M> ? Topic<M> : never };

/**
 * The map from topic name to message union, each topic named once: its key is
 * its name on the wire.
 */
export function defineTopics<const T extends Record<string, Carrying<Message>>>(map: T): TopicsOf<T> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(map)) out[name] = name;
  return Object.freeze(out) as unknown as TopicsOf<T>;
}

/**
 * The topics an actor whose messages are `M` subscribes to, checked at
 * compile time: a topic carrying a message the actor does not accept is an
 * error here, rather than a dead letter at run time.
 * `const RISK_TOPICS = subscriptions<In>()(TOPICS.features, TOPICS.orders)`.
 */
export function subscriptions<M extends Message>(): <const T extends readonly Topic<M>[]>(...topics: T) => T {
  return (...topics) => topics;
}

/**
 * A topic whose name comes from data (a replayed recording, a test probe's
 * command): what it carries is not known to the compiler, so it carries any message.
 */
export function untypedTopic(name: string): Topic {
  return name as Topic;
}
