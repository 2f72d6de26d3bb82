/// <reference types="jest" />
import type { OnModuleInit } from '@nestjs/common';
import { Inject, Injectable, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Closer } from './closer';

describe('Closer', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('closes phase by phase (workers, queues, redis, database), one at a time, whatever the order of adding', async () => {
    const events: string[] = [];
    const closer = new Closer();
    const slow = (name: string) => async () => {
      events.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      events.push(`end ${name}`);
    };
    closer.add('database', 'pg pool', slow('pg'));
    closer.add('redis', 'ioredis', slow('redis'));
    closer.add('workers', 'hotplug worker', slow('worker-1'));
    closer.add('queues', 'hotplug queue', slow('queue'));
    closer.add('workers', 'relay', slow('worker-2'));
    await closer.close();
    expect(events).toEqual([
      'start worker-1', 'end worker-1',
      'start worker-2', 'end worker-2',
      'start queue', 'end queue',
      'start redis', 'end redis',
      'start pg', 'end pg',
    ]);
  });

  it('goes on after a failure, reports it, and closes only once', async () => {
    const closed: string[] = [];
    const closer = new Closer();
    closer.add('workers', 'worker', () => {
      throw new Error('stuck job');
    });
    closer.add('database', 'pg pool', () => void closed.push('pg'));
    const outcomes = await closer.close();
    expect(outcomes.map(({ name, error }) => ({ name, error }))).toEqual([
      { name: 'worker', error: 'stuck job' },
      { name: 'pg pool', error: undefined },
    ]);
    await closer.close();
    expect(closed).toEqual(['pg']);
    expect(() => closer.add('redis', 'late', () => undefined)).toThrow(/after closing began/);
  });

  it('runs when the Nest application closes, after the providers that registered with it', async () => {
    const closed: string[] = [];
    @Injectable()
    class Worker implements OnModuleInit {
      constructor(@Inject(Closer) private readonly closer: Closer) {}
      onModuleInit(): void {
        this.closer.add('workers', 'worker', () => void closed.push('worker'));
        this.closer.add('database', 'db', () => void closed.push('db'));
      }
    }
    @Module({ providers: [Closer, Worker] })
    class AppModule {}
    const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
    await app.init();
    await app.close();
    expect(closed).toEqual(['worker', 'db']);
  });
});
