import { RouterChatV1, type RouterChatCommand, type RouterChatEvent } from '@aisbf/contracts';
import { ContractPipe } from '@aisbf/platform-messaging';
import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import { ChatUseCase } from './chat.use-case';

@Controller()
export class ChatController {
  constructor(@Inject(ChatUseCase) private readonly chat: ChatUseCase) {}

  @MessagePattern(RouterChatV1.subject)
  handle(@Payload(new ContractPipe(RouterChatV1.request)) cmd: RouterChatCommand): Observable<RouterChatEvent> {
    return this.chat.execute(cmd);
  }
}
