#!/usr/bin/env node
// Writes houses.csv: a small, seeded regression data set for the `cauce tune` example.
// price ≈ 1.8·area + 12·rooms − 0.6·age + a city premium + noise. Usage: node make-data.mjs [rows] [out.csv]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const rows = Number(process.argv[2] ?? 300);
const out = process.argv[3] ?? fileURLToPath(new URL('./houses.csv', import.meta.url));

// mulberry32: a tiny seeded generator, so the file is the same on every machine
let state = 20261123;
const rand = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

const cities = { bogota: 40, medellin: 25, cali: 10, barranquilla: 0 };
const names = Object.keys(cities);
const lines = ['area,rooms,age,city,price'];
for (let i = 0; i < rows; i++) {
  const area = Math.round(40 + rand() * 160);
  const rooms = 1 + Math.floor(rand() * 5);
  const age = Math.round(rand() * 50);
  const city = names[Math.floor(rand() * names.length)];
  const price = 1.8 * area + 12 * rooms - 0.6 * age + cities[city] + 15 * normal();
  lines.push(`${area},${rooms},${age},${city},${price.toFixed(2)}`);
}
writeFileSync(out, lines.join('\n') + '\n');
console.log(`wrote ${rows} rows to ${out}`);
