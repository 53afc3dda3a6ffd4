export const ENV = Symbol('ENV');
export const LOGGER = Symbol('LOGGER');
