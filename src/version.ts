// Versions reported to clients. Clients and tools gate features on
// redis_version, so Tandem reports the Redis release whose behaviour it matches.

export const tandemVersion = '0.1.0';
export const redisVersion = '7.0.15';
